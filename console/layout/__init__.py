"""The page frame every console page sits in: sidebar, header, identity card, and the frame that joins them."""
