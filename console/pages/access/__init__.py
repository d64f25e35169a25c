"""Users & access: the grant pages and the directory pages (groups, roles, who can, audit)."""
