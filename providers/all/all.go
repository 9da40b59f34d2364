// Package all links every provider scriptsync ships: importing it for its
// side effect registers them. It is the one place that names them all.
package all

import (
	// Each registers itself in an init function.
	_ "scriptsync/providers/git"
	_ "scriptsync/providers/lfs"
	_ "scriptsync/providers/sql"
)
