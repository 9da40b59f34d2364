variable "season" {
  type        = number
  default     = 1
  description = "Season the scripts belong to."
}

output "pilot_scenes" {
  value = length(script.pilot.scenes)
}

output "pilot_characters" {
  value = sort(keys(script.pilot.characters))
}
