# A small series written for the ScriptRAG contract test
# (scriptrag_test.go): two episodes whose season and episode come from the
# title page and from HCL, a feature, a bible and scene embeddings. The test
# writes the vectors (vectors/*.npy) itself, so that their ranking is known.

variable "sql_driver" {
  type    = string
  default = "sqlite"
}

variable "sql_dsn" {
  type      = string
  default   = "scriptrag.db"
  sensitive = true
}

provider "sql" {
  driver = var.sql_driver
  dsn    = var.sql_dsn
}

series "harbor" {
  title       = "Harbor Lights"
  description = "A fishing town and the lighthouse that watches it."
}

# Season and episode come from the title page.
script "pilot" {
  source = "episodes/s01e01.fountain"
  series = series.harbor
}

# Season and episode come from HCL.
script "second" {
  source  = "episodes/s01e02.fountain"
  series  = series.harbor
  season  = 1
  episode = 2
}

script "feature" {
  source = "features/salt_and_iron.fountain"
}

character "mara" {
  script      = script.pilot
  name        = "MARA"
  description = "Harbor master, forty-odd years on the water."
}

bible "harbor" {
  source = "bible/harbor_bible.md"
  script = script.pilot
}

agent "weather_watch" {
  source = "agents/weather_watch.md"
}

embedding "pilot" {
  for_each = script.pilot.scenes
  scene    = each.value
  model    = "all-MiniLM-L6-v2"
  source   = "vectors/${each.key}.npy"
}
