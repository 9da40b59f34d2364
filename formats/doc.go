// Package formats gathers the readers of the file formats scriptsync
// meets, one package each, all pure (bytes in, values out, no I/O of their
// own beyond an explicit Inspect) and each with a fuzz test: fountain
// (screenplays), npy (embedding vectors), agentfile (ScriptRAG custom
// insight agents) and lfspointer (Git LFS pointer files). Markdown chunking
// of bibles is still in config (config/markdown.go).
package formats
