"""Every kind the console lists, one module per family; `console/kube/registry.py` indexes them."""
