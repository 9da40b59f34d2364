// Package lfs is scriptsync's "lfs" provider: it stores embedding vectors
// (.npy files) as Git LFS objects, in the local object store of the git
// repository and, when a server is configured, on a Git LFS server through
// the Batch API.
//
// It owns the objects only. The pointer files that reference them and the
// .gitattributes line that marks them are committed by the git provider;
// the embeddings rows are written by the sql provider; the .npy files are
// read and validated by config (with internal/npy) before a Library exists.
//
// LFS objects are content-addressed and immutable, so the provider is
// simple where the others are careful:
//
//   - Read reports a desired object as present when the local store has its
//     oid and, with a server, the server has it too. It never reports
//     anything else, so a plan never deletes an LFS object: git history may
//     still point at it.
//   - Apply writes each new object into the local store (a temporary file
//     renamed into place, after checking its SHA-256 against the planned
//     oid) and uploads it; it returns only when the server has confirmed
//     every object. The provider applies first (providers.OrderObjectStore),
//     so the git commit that points at the objects is made only after that.
//   - Commit has nothing left to do and nothing needs undoing
//     (providers.CommitUnreferenced): an object no commit references is
//     harmless, and git-lfs prune collects it.
//
// # Configuration
//
//	provider "lfs" {
//	  url = "https://git.example.com/studio/library.git/info/lfs"
//	}
//
// url is optional. Without it the server is derived from the git
// provider's remote the way git-lfs derives it: <remote>/info/lfs, with
// ".git" added to a remote path that lacks it; ssh and git:// remotes map
// to https on the same host; a remote that is a local path or file:// URL
// gets the objects copied into its own lfs/objects, as git-lfs's standalone
// file transfer does. Without a remote, or with url = "", objects stay in the
// local store: <git path>/lfs/objects, where git-lfs keeps the objects of a
// bare repository.
//
// Credentials come from the URL's user info, or else from the environment:
// SCRIPTSYNC_LFS_TOKEN (sent as "Authorization: Bearer"), or
// SCRIPTSYNC_LFS_USERNAME and SCRIPTSYNC_LFS_PASSWORD (HTTP basic). They
// are never printed: URLs in errors and in Describe have no user info and
// no query.
package lfs
