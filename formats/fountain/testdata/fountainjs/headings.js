// Prints, for each Fountain file named on the command line, the scene
// headings and character cues fountain-js reads in it, as one JSON object
// keyed by path: {"a.fountain": {"headings": [...], "characters": [...]}}.
// config/fountain's differential test compares them with scriptsync's parser.
'use strict';
const fs = require('fs');
const { Fountain } = require('fountain-js');

const out = {};
for (const path of process.argv.slice(2)) {
  const tokens = new Fountain().parse(fs.readFileSync(path, 'utf8'), true).tokens;
  const headings = [];
  const characters = [];
  for (const t of tokens) {
    if (t.type === 'scene_heading') headings.push(t.text);
    else if (t.type === 'character') characters.push(t.text);
  }
  out[path] = { headings, characters };
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
