package fountain

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scriptsync/internal/needs"
)

// corpusDir holds public-domain screenplays shared by the team's checkouts,
// next to the repository rather than inside it. SCRIPTSYNC_CORPUS names it
// when the checkout lives elsewhere (.ci/run sets it).
var corpusDir = func() string {
	if d := os.Getenv("SCRIPTSYNC_CORPUS"); d != "" {
		return d
	}
	return "../../../shared/corpus"
}()

// corpus lists every screenplay under corpusDir with what a careful reading
// of the file shows: its scene headings (a heading needs a blank line
// before and after, which every heading in these files has) and its title
// page. The corpus README's counts are a rough grep, not these. Titles are
// what ScriptRAG's indexer stores for these files (checked by running it):
// an indented "EPISODE 1: ..." line under "Title:" is a key of its own to
// it, other continuation lines join the title with "\n".
var corpus = []struct {
	path          string
	scenes        int
	first, last   string
	title, author string
}{
	{"ebscreenplays/cyber_bob/Cyber_Bob_ep00001.fountain", 3, "EXT. PARK--DAY", "INT. TRAFFIC LIGHT HORIZONTAL BEAM--NIGHT",
		"BOB THE CYBER PAWN AND HIS CYBER CLOUD BOSS THING", "Richard Alexander Hall"},
	// A second "Title:" block after the title page's blank lines is action.
	{"ebscreenplays/cyber_bob/Cyber_Bob_ep00003.fountain", 2, "EXT. YARGO'S FRONT YARD--DAY", "INT. FALGE'S HOUSE--DAY",
		"BOB THE CYBER PAWN AND HIS CYBER CLOUD BOSS THING: EPISODE 1", "Richard Alexander Hall"},
	// Story seeds and notes: no headings at all.
	{"ebscreenplays/cyber_bob/Cyber_Bob_epAsparagusConcrete.fountain", 0, "", "", "", ""},
	{"ebscreenplays/cyber_bob/Cyber_Bob_epEighteenBoogersOfDeath.fountain", 0, "", "", "", ""},
	{"ebscreenplays/cyber_bob/Cyber_Bob_epLocalTransDimensionalRift.fountain", 3, "EXT. FOOTHILLS--DAY", "EXT. PLAIN--DAY", "", ""},
	{"ebscreenplays/cyber_bob/Cyber_Bob_epReconfigurePantsForFlight.fountain", 0, "", "", "", ""},
	{"ebscreenplays/cyber_bob/Cyber_Bob_epSithSuperInformalLanguage.fountain", 0, "", "", "", ""},
	{"ebscreenplays/cyber_bob/Cyber_Bob_epTalkADinosaurOutOfEatingYou.fountain", 0, "", "", "", ""},
	{"ebscreenplays/cyber_bob/Cyber_Bob_epWinDebateAgainstLincoln.fountain", 3, "INT. BOB'S KITCHEN--DAY", "EXT. GETTYSBURG--DAY",
		"BOB THE CYBER PAWN AND HIS CYBER CLOUD BOSS THING", "Richard Alexander Hall"},
	{"ebscreenplays/screenplay_template.fountain", 2, "EXT. YARGO'S FRONT YARD--DAY", "INT. FALGE'S HOUSE--DAY",
		"\"YARGO & FALB\"\n\"MAISWITH\"", "Richard Alexander Hall"},
	// CRLF line endings, no final newline.
	{"ebscreenplays/the_pulpit/pulpit__fire.fountain", 1, "INT. SUPERNACLE--DAY", "INT. SUPERNACLE--DAY", "", ""},
	{"ebscreenplays/various/ASCENT_TO_GURU_PEAK.fountain", 6, "EXT. MOUNT GURU FOOTHILLS--DAY", "EXT. PEAK OF MOUNT GURU--NIGHT",
		`"ASCENT TO GURU PEAK"`, "Richard Alexander Hall"},
	{"ebscreenplays/various/As_I_Am_a_Cat_I_Eat_Mice.fountain", 2, "EXT. YARGO'S FRONT YARD--DAY", "INT. FALGE'S HOUSE--DAY",
		"\"YARGO & FALB\"\n\"MAISWITH\"", "Richard Alexander Hall"},
}

// preludeDialogue counts the dialogue blocks of the files that have no
// scene heading: the first two read by eye (BOB, DOG, BOB; BOOGER ONE,
// BOOGER TWO), the third as the parser counts it today, to notice a change.
var preludeDialogue = map[string]int{
	"ebscreenplays/cyber_bob/Cyber_Bob_epEighteenBoogersOfDeath.fountain":    2,
	"ebscreenplays/cyber_bob/Cyber_Bob_epReconfigurePantsForFlight.fountain": 3,
	"ebscreenplays/cyber_bob/Cyber_Bob_epSithSuperInformalLanguage.fountain": 21,
}

func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		needs.Missing(t, "the Fountain corpus", "../shared/corpus, or set SCRIPTSYNC_CORPUS", err)
	}
	found := map[string]bool{}
	err := filepath.WalkDir(corpusDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".fountain") {
			rel, _ := filepath.Rel(corpusDir, path)
			found[filepath.ToSlash(rel)] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range corpus {
		if !found[c.path] {
			t.Errorf("%s: listed but not in the corpus", c.path)
		}
		delete(found, c.path)
	}
	for path := range found {
		t.Errorf("%s: in the corpus but not listed here; read it and add its scenes", path)
	}

	for _, c := range corpus {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(corpusDir, c.path))
			if err != nil {
				t.Fatal(err)
			}
			sp, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := checkScreenplay(data, sp); err != nil {
				t.Fatal(err)
			}
			if len(sp.Scenes) != c.scenes {
				t.Fatalf("%d scenes %q, want %d", len(sp.Scenes), headings(sp), c.scenes)
			}
			if c.scenes > 0 {
				if first, last := sp.Scenes[0].Heading, sp.Scenes[c.scenes-1].Heading; first != c.first || last != c.last {
					t.Errorf("first and last heading %q, %q; want %q, %q", first, last, c.first, c.last)
				}
			}
			// Nothing is lost: the files without a heading keep their
			// dialogue in the prelude, which config makes scene 0.
			if want, ok := preludeDialogue[c.path]; ok {
				n := 0
				if sp.Prelude != nil {
					for _, b := range sp.Prelude.Blocks() {
						if b.Kind == DialogueBlock {
							n++
						}
					}
				}
				if n != want {
					t.Errorf("%d dialogue blocks before the first heading, want %d", n, want)
				}
			}
			if got := sp.Title(); got != c.title {
				t.Errorf("Title() = %q, want %q", got, c.title)
			}
			if got := sp.Author(); got != c.author {
				t.Errorf("Author() = %q, want %q", got, c.author)
			}
		})
	}
}
