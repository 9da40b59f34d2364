# A library kept in sync from CI: PostgreSQL for ScriptRAG, a git remote
# for the files, and a Git LFS server for the vectors. The workflows in
# .github/workflows and .gitlab-ci.yml run ci/*.sh; the secrets come in
# as SCRIPTSYNC_VAR_* and SCRIPTSYNC_LFS_TOKEN.

variable "dsn" {
  type        = string
  sensitive   = true
  description = "PostgreSQL URL of the team's ScriptRAG database."
}

variable "git_remote" {
  type        = string
  description = "URL of the library repository scriptsync pushes to."
}

variable "lfs_url" {
  type        = string
  description = "Git LFS server (Batch API) that holds the vectors."
}

provider "sql" {
  driver = "postgres"
  dsn    = var.dsn
}

provider "git" {
  remote = var.git_remote
  branch = "main"
  author = { name = "scriptsync (CI)", email = "scriptsync@ci.invalid" }
}

provider "lfs" {
  url = var.lfs_url
}

script "pilot" {
  source = "scripts/pilot.fountain"
}

bible "world" {
  source = "bible/world.md"
  script = script.pilot
}

embedding "pilot" {
  for_each   = { "1" = script.pilot.scenes["1"] }
  scene      = each.value
  model      = "all-MiniLM-L6-v2"
  dimensions = 384
  source     = "vectors/${each.key}.npy"
}

output "scenes" {
  value = length(script.pilot.scenes)
}
