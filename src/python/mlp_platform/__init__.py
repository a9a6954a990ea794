"""The Python half of mlp, copied into a client project and run in its locked environment.

- ``supervisor``: the only process that writes to MLflow; starts the trainer, computes metrics.
- ``trainer``: sandboxed; loads the dataset, imports the project's code, fits, writes results.
- ``sandbox``: Landlock, network and mount namespaces through ctypes; ``unix_socket_filter``: the
  seccomp filter that refuses Unix sockets.
- ``dataset``, ``schema_probe``: loading tables and the canonical column schema.
- ``plan``: the run plan that mlp writes.
"""
