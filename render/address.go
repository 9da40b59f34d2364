package render

import (
	"strings"

	"scriptsync/providers"
)

// TypeOf is an object's type as every rendering names it: the SQL
// provider's types are bare (script, scene), the others' carry their
// provider (git_file, lfs_object), so that one name means one thing in the
// human plan, the JSON plan and the state.
func TypeOf(provider string, o *providers.Object) string {
	if provider == "sql" || strings.HasPrefix(o.Type, provider+"_") {
		return o.Type
	}
	return provider + "_" + o.Type
}

// AddressOf is the address renderings give an object, unique across
// backends: one configuration block makes a row, a file and an object in
// three backends under one configuration address. The SQL row keeps that
// address; a git file or LFS object gets its type as a suffix
// (script.pilot.git_file, embedding.ep1["1"].lfs_object); an object the
// provider names itself (git.gitattributes) keeps its name.
func AddressOf(provider, addr string, o *providers.Object) string {
	if provider == "sql" || strings.HasPrefix(addr, provider+".") {
		return addr
	}
	return addr + "." + TypeOf(provider, o)
}

// ChangeAddress is AddressOf the change's object.
func ChangeAddress(c *providers.Change) string {
	return AddressOf(c.Provider, c.Address(), c.Object())
}
