package library

// Where a library repository keeps its files by default: where ScriptRAG
// looks for them (see docs/configuration.md).
const (
	ScriptDir = "scripts"
	ScriptExt = ".fountain"
	// BibleExt names bibles so that ScriptRAG's bible detection (a file
	// name matching *bible*.md, among others) finds them. A bible of a
	// script lands next to the script's file (config decides); BibleDir
	// holds the bibles of no script.
	BibleDir = "bibles"
	BibleExt = ".bible.md"
	// AgentDir is where ScriptRAG loads custom insight agents from.
	AgentDir = ".scriptrag/agents"
	// EmbeddingDir is where ScriptRAG keeps scene embeddings in Git LFS, one
	// embeddings/<hash>.npy per scene.
	EmbeddingDir = "embeddings"
)

// EmbeddingPath is the default path of an embedding of sc: named after the
// hash ScriptRAG keys the scene by, or, for a scene ScriptRAG has no hash
// for (scene 0, scene blocks), after its content hash.
func EmbeddingPath(sc *Scene) string {
	h := sc.ScriptRAGHash
	if h == "" {
		h = sc.ContentHash
	}
	return EmbeddingDir + "/" + h + ".npy"
}
