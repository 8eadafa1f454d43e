"""Haven's psychoeducation library: short, sourced articles anyone may read, and search over them."""
