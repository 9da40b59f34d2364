// Package git is scriptsync's git provider: it keeps a library's files —
// Fountain scripts, bibles, custom insight agents (.scriptrag/agents/),
// the Git LFS pointer files of embeddings and the .gitattributes lines
// they need — in one branch of a git repository, one commit per apply.
//
// It owns the repository's branch and the files it wrote there. It does
// not own the LFS objects the pointers name (package lfs stores and uploads
// them, in the same repository's lfs/ directory), nor the SQL rows derived
// from the same library (package sql).
//
// # Configuration
//
//	provider "git" {
//	  path   = "library.git"   # relative to the configuration; created (bare) when missing
//	  branch = "main"
//	  remote = "https://git.example.com/studio/library.git"   # optional
//	  author = { name = "scriptsync", email = "scriptsync@localhost" }
//	}
//
// # Commit model
//
// Everything is git plumbing on go-git's object storage; there is never a
// work tree or an index. An apply reads the branch's head commit, edits its
// tree lazily (only the directories on the paths of the changes are read
// and rewritten; every other subtree is reused by id), writes the new
// blobs, trees and one commit — as loose objects when there are fewer than
// 100, as one packfile with its index otherwise, skipping objects the
// repository already has — and only then, in Commit, moves the branch by
// compare-and-swap from the commit it read. The message's subject is
// "scriptsync apply: +A ~C -D" (files created, changed including replaced,
// deleted), its body the trailer "Scriptsync-Tree: <tree id>" (see below);
// author and committer come from the configuration. Loose objects, packs
// and the ref are fsynced before the branch points at them. An apply whose
// changes leave the tree as it was makes no commit.
//
// The compare-and-swap is the lock. It follows git's own ref protocol
// (refs/heads/<branch>.lock created exclusively, value checked, written,
// fsynced and renamed over the ref), so it is atomic against other
// scriptsync processes and stock git alike; go-git's CheckAndSetReference
// is not used because it rewrites the ref in place under flock, which git
// does not honour. A branch that moved since Read makes Commit fail with an
// error wrapping providers.ErrConflict. Rollback leaves the unreferenced
// objects for git gc: deleting them could pull objects from under a
// concurrent apply that found them present. Compensate moves the branch
// back, by compare-and-swap from the commit this transaction made.
//
// # Ownership: the manifest
//
// The set of files scriptsync manages travels with every commit, in the
// tree, as the manifest under .scriptsync/manifest/ (paths under
// .scriptsync/ are reserved). It is split into up to 4,096 shards, so
// that an apply rewrites, and a plan of what changed reads, only the
// shards of the blocks it changes: the entries of one configuration block
// (every instance of embedding.pilot) live in <xxx>.json, xxx being the
// first twelve bits of the SHA-1 of the block's address in three hex
// digits (000 to fff), beside a layout marker, 00.json. An
// entry found in another shard (a manifest an earlier scriptsync wrote,
// which sharded by each file's address) is read all the same, and moved
// to its own shard by the next commit. Each shard is JSON, one
// entry per line, sorted by address:
//
//	{
//	  "format_version": 1,
//	  "generator": "scriptsync",
//	  "files": [
//	    {"address":"bible.world","path":"bibles/world.md","blob":"<sha-1>","size":2048},
//	    {"address":"script.pilot","path":"scripts/pilot.fountain","blob":"<sha-1>","size":5120}
//	  ]
//	}
//
// blob is the git blob id written and size its length; "resource" (the
// configuration block, for -target) is added when it differs from the
// address. Because the manifest is in the tree, it survives commits that
// users make on the branch with stock git.
//
// Read returns one object per entry, with the size from the manifest. Every
// commit scriptsync makes ends with the trailer "Scriptsync-Tree: <its tree
// id>": when the head commit carries the trailer of its own tree, its files
// are exactly what the manifest says and Read looks at nothing else. Any
// other head (a user's commit on top, an amended one) is checked file by
// file: a managed file edited or removed outside scriptsync shows as drift,
// with a warning, and the next commit's manifest records the tree's truth.
// Decoded shards are kept by blob id until the next read, so the apply that
// follows a plan in one process decodes only what changed.
//
// Files not in the manifest are never modified or deleted: a desired path
// that such a file already occupies makes Read fail with an error that
// names the path and the address and says how to adopt the file (remove it
// in a commit, and the next apply writes and manages it) or avoid it
// (another path). A user's own .gitattributes that already has the LFS
// lines is left alone and reads as if scriptsync had written it; one
// without them is an error that gives the lines to add.
//
// An object's Hash is "<blob id>:<path>", so that a changed path diffs as a
// change even when the content is the same; Attrs["blob"] is the bare git
// blob id (what git hash-object prints), and ForceNew names "path", so a
// path change is a replacement.
//
// # Remote
//
// With a remote, the remote's branch is the truth and the local repository
// a cache of it: Read fetches the branch (only the commits the local
// repository lacks) and reads it, and its Version is the remote head.
// Apply builds on that head. Commit moves the local branch, then pushes
// with lease — the remote branch must still be at the commit Read saw, as
// advertised and in the receive-pack command's old value, so the remote
// itself does the compare-and-swap. A push that fails (a concurrent push,
// a broken connection, a refused update) moves the local branch back and
// fails the Commit. The last remote head seen is kept in
// refs/scriptsync/remote/<branch>.
//
// Remotes are https://, http://, ssh:// (or user@host:path), git://,
// file:// or a local path (relative to the configuration; the file
// transport runs git-upload-pack and git-receive-pack, so it needs git
// installed). Credentials come from the URL's user information or from
// SCRIPTSYNC_GIT_USERNAME and SCRIPTSYNC_GIT_PASSWORD (HTTP), or
// SCRIPTSYNC_GIT_SSH_KEY and SCRIPTSYNC_GIT_SSH_KEY_PASSPHRASE (ssh; the
// ssh agent otherwise). They never appear in Describe, in a State or in an
// error: transport errors are rewritten with every secret removed.
package git
