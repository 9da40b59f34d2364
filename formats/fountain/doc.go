// Package fountain parses Fountain screenplays (https://fountain.io, syntax
// 1.1): bytes in, a typed screenplay out.
//
// It owns the reading of the format and nothing else: the title page, the
// split into scenes (a heading and everything up to the next one), each
// scene's elements, and the view of a scene that scriptsync's SQL tables
// store (Scene.Blocks: dialogue blocks and action paragraphs). It does no
// I/O, keeps no global state and is safe for concurrent use; reading files,
// hashing, addresses and SQL rows belong to the config package and the
// providers.
//
// Parse reads a whole document; ParseBody reads the body of one scene as
// written in a configuration's scene block. Input that is not a screenplay
// at all (binary data, invalid UTF-8) gives an *Error naming the line;
// everything else parses, because Fountain has no syntax errors: a line
// that is not one element is another, and in the end action.
//
// Where the spec leaves room, the parser decides as follows.
//
//   - Boneyard (/* */) and notes ([[ ]]) are removed before any line is
//     classified, so a note inside dialogue or a boneyard across a scene
//     heading hides its text without breaking the lines around it; a line
//     they empty entirely is not a blank line. An unclosed "/*" is text; a
//     note may span lines but not a blank line (a line of exactly two spaces
//     is not blank), else its "[[" is text.
//   - Scene headings, forced (".") or not, need a blank line (or the start of
//     the body) before and a blank line (or the end) after; a line with a
//     heading prefix that misses one is action, never a character cue.
//   - Sections (#) and synopses (=) are structure: they are elements, but not
//     content, and the blank-line rules look through them.
//   - A title page is recognised when the first line is "Key: value" with a
//     key that starts with a letter (any key, not only the spec's); it ends
//     at the first blank line. A lone upper-case "FADE IN:" line opens a
//     body, not a title page.
//   - A cue's "^" marks dual dialogue on the second cue only; the first
//     block of the pair is an ordinary one.
//   - A character cue is a line entirely in upper case outside its
//     parenthesized extensions, which may be in either case ("BOB
//     (cont'd)"), with a blank line before and text right below;
//     "KIM, 40 (or so), tired" is action.
//   - Text keeps emphasis markers and backslash escapes as written.
//
// Where ScriptRAG's indexer (github.com/trieloff/scriptrag) reads a
// screenplay in a way its readers depend on, the parser reports that reading
// as well, beside its own (scriptrag.go): Scene.Heading, Location and
// TimeOfDay as ScriptRAG stores them, Scene.ScriptRAGHash, and the title page
// as ScriptRAG's parser reads it (Screenplay.TitleValues, Title, Author,
// Metadata).
package fountain
