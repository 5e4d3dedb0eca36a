"""HTTP views of the network app: the directory, staff management and personal API tokens."""
