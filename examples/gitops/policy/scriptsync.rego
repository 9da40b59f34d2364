# A conftest/OPA policy over `scriptsync show -json PLANFILE`, written
# against Terraform's plan representation as such policies are:
#   opa eval -d policy -i plan.json 'data.main.deny'
#   conftest test --policy policy plan.json
package main

# No scene is destroyed by a plan (renumbered scenes move, they are not
# destroyed).
deny contains msg if {
	some rc in input.resource_changes
	rc.type == "scene"
	"delete" in rc.change.actions
	msg := sprintf("%s would be destroyed", [rc.address])
}

# Nothing is written to the database without a configuration address.
deny contains msg if {
	some rc in input.resource_changes
	rc.scriptsync.backend == "sql"
	not rc.scriptsync.config_address
	msg := sprintf("%s has no configuration address", [rc.address])
}

# A vector that moved far is worth a second look.
warn contains msg if {
	some rc in input.resource_changes
	rc.type == "embedding"
	rc.scriptsync.vector.cosine_distance > 0.5
	msg := sprintf("%s moved by cosine distance %v", [rc.address, rc.scriptsync.vector.cosine_distance])
}
