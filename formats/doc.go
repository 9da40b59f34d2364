// Package formats gathers the readers of the file formats scriptsync
// meets, one package each, all pure (bytes in, values out, no I/O of their
// own beyond an explicit Inspect) and each with a fuzz test: fountain
// (screenplays), markdown (script bibles, chunked as ScriptRAG chunks
// them), npy (embedding vectors), agentfile (ScriptRAG custom insight
// agents) and lfspointer (Git LFS pointer files).
package formats
