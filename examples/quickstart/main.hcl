# A small library: one series, a screenplay written in Fountain, and an
# outline whose scenes are declared here, scene by scene.

locals {
  show = "Night Shift"
}

series "night_shift" {
  title       = local.show
  description = "A hospital drama set on the graveyard shift."
  metadata    = { network = "independent", status = "in development" }
}

# Title and author come from the screenplay's title page.
script "pilot" {
  source  = "scripts/pilot.fountain"
  series  = series.night_shift
  season  = var.season
  episode = 1
}

# An outline has no source: its scenes are declared below.
script "spinoff" {
  title  = "Day Shift (outline)"
  author = "Mara Quill"
  series = series.night_shift
  season = var.season
}

scene "spinoff_open" {
  script  = script.spinoff
  number  = 1
  heading = "INT. ST. AGATHA'S HOSPITAL - EMERGENCY ROOM - DAY"
  content = <<-EOT
    The same ward, lit by daylight. It looks smaller.

    NURSE KIM
    (handing over a clipboard)
    Bay three sings. Don't encourage him.
  EOT
}

scene "spinoff_close" {
  script  = script.spinoff
  number  = 2
  heading = "EXT. ST. AGATHA'S HOSPITAL - ROOF - DUSK"
  content = <<-EOT
    Two cups of coffee on the parapet. One of them is still warm.
  EOT
}

character "kim" {
  script      = script.pilot
  name        = "NURSE KIM"
  aliases     = ["KIM"]
  description = "Night nurse, twenty years on the ward."
}

character "okafor" {
  script      = script.pilot
  name        = "DR. OKAFOR"
  description = "Emergency physician with a secret she has not told the board."
}

# A character with no lines yet.
character "registrar" {
  script      = script.spinoff
  name        = "THE REGISTRAR"
  description = "Runs the day shift like a railway timetable."
}
