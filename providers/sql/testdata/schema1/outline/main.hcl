# An outline script (no file: schema 1 stored its file_path as NULL) and
# a bible that names no script (schema 1: script_id NULL).
script "outline" {
  title = "Outline"
}

scene "open" {
  script  = script.outline
  number  = 1
  heading = "INT. ER - NIGHT"
  content = "Rain hammers the ambulance bay."
}

bible "world" {
  source = "world.md"
}
