"""Privacy: consents (this part), and later the data inventory, export, erasure and retention."""
