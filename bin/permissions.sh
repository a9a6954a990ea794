# The Deno permissions of mlp, shared by bin/mlp and `make build` (deno compile bakes them in).
# Why each one is needed, and what they do not cover: docs/architecture.md ("Permissions").
MLP_PERMISSIONS=(
  --allow-read
  --allow-write
  --allow-run=git,uv
  # Exactly the variables mlp and its npm dependencies read (src/project/environment.ts ENV_VARS
  # and LIBRARY_ENV_VARS; a test keeps them equal).
  --allow-env=MLP_AGENT,MLP_OPERATOR,CLAUDECODE,CODEX_SANDBOX,CODEX_CI,MLFLOW_TRACKING_URI,MLFLOW_TRACKING_TOKEN,MLFLOW_TRACKING_USERNAME,MLFLOW_TRACKING_PASSWORD,UV_PYTHON_DOWNLOADS,LOG_TOKENS,LOG_STREAM,NO_COLOR,FORCE_COLOR,CLICOLOR_FORCE
  --allow-net
)
