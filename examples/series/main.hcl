# The Lighthouse Keepers, season 1: two episodes written in Fountain, a
# series bible, a custom insight agent, and an embedding per scene of the
# first episode (384-dimension float32 vectors in vectors/, stored as Git
# LFS objects).

series "keepers" {
  title       = "The Lighthouse Keepers"
  description = "The last keepers of a lighthouse that refuses to be automated."
}

script "episode" {
  for_each = {
    "1" = "episodes/s01e01.fountain"
    "2" = "episodes/s01e02.fountain"
  }
  source  = each.value
  path    = "scripts/s01e0${each.key}.fountain"
  series  = series.keepers
  season  = 1
  episode = tonumber(each.key)
}

character "edda" {
  script      = script.episode["1"]
  name        = "EDDA"
  aliases     = ["EDDA VOSS"]
  description = "Keeper of Gull Rock for thirty-one years."
}

bible "world" {
  source = "bible/world.md"
  script = script.episode["1"]
}

agent "foghorn_counter" {
  source = "agents/foghorn_counter.md"
}

embedding "ep1" {
  for_each   = script.episode["1"].scenes
  scene      = each.value
  model      = "all-MiniLM-L6-v2"
  dimensions = 384
  source     = "vectors/s01e01/${each.key}.npy"
}

output "episode_scenes" {
  value = { for k, s in script.episode : k => length(s.scenes) }
}
