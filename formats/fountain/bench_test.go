package fountain

import (
	"fmt"
	"strings"
	"testing"
)

// benchScreenplay writes a screenplay of about size bytes, in the shape of
// a real one: a title page, then scenes with a heading (some numbered, some
// forced), action paragraphs, about four dialogue blocks with
// parentheticals and extensions, the odd note, boneyard, dual dialogue and
// transition. It returns the text and its number of scenes.
func benchScreenplay(size int) ([]byte, int) {
	var b strings.Builder
	b.Grow(size + 4096)
	b.WriteString("Title:\n\t_**NIGHT SHIFT**_\n\tEpisode One\nCredit: Written by\nAuthor: A. Writer\nDraft date: 2024-03-01\nContact:\n\tA. Writer\n\twriter@example.com\n\n")
	b.WriteString("FADE IN:\n\n")
	places := []string{"ER", "AMBULANCE BAY", "NURSES' STATION", "PARKING GARAGE", "ROOF", "CAFETERIA", "SUPPLY CLOSET", "CHAPEL"}
	times := []string{"NIGHT", "LATER", "CONTINUOUS", "DAWN", "MOMENTS LATER"}
	people := []string{"KIM", "LOU", "DR. OKAFOR", "MARTA", "PARAMEDIC", "OSKAR"}
	lines := []string{
		"Here we go again.",
		"Bed four wants you. Bed four always wants you.",
		"I have been awake since Tuesday, and it is Thursday.",
		"Page Okafor. Then page her again.",
		"Nobody touches my coffee. Nobody.",
		"It's the *third* one tonight.",
	}
	n := 0
	for b.Len() < size {
		n++
		p, who := places[n%len(places)], people[n%len(people)]
		other := people[(n+2)%len(people)]
		switch n % 7 {
		case 3:
			fmt.Fprintf(&b, ".%s'S LOCKER #%dA#\n\n", who, n)
		case 5:
			fmt.Fprintf(&b, "INT./EXT. %s - %s\n\n", p, times[n%len(times)])
		default:
			fmt.Fprintf(&b, "INT. MERCY GENERAL - %s - %s #%d#\n\n", p, times[n%len(times)], n)
		}
		fmt.Fprintf(&b, "Rain hammers the windows of the %s. Monitors beep out of rhythm.\n%s pushes through the doors, a clipboard under one arm.\n\n", strings.ToLower(p), who)
		fmt.Fprintf(&b, "%s\n(without looking up)\n%s\n\n", who, lines[n%len(lines)])
		fmt.Fprintf(&b, "%s (O.S.)\n%s\n%s\n\n", other, lines[(n+1)%len(lines)], lines[(n+3)%len(lines)])
		if n%4 == 0 {
			b.WriteString("[[Check the timeline here: is this before or after the storm?]]\n\n")
		}
		fmt.Fprintf(&b, "A gurney rattles past. %s flattens against the wall.\n\n", who)
		fmt.Fprintf(&b, "%s (CONT'D)\n(into the phone)\nNo. No, I said *bay two*.\n(beat)\nFine. Bay three.\n\n", who)
		if n%3 == 0 {
			fmt.Fprintf(&b, "%s\nNow!\n\n%s ^\nNow!\n\n", who, other)
		} else {
			fmt.Fprintf(&b, "%s\nYou should sleep.\n\n", other)
		}
		if n%9 == 0 {
			b.WriteString("/* An older version of this beat.\n\nKIM\nI quit.\n*/\n\n")
		}
		if n%2 == 0 {
			b.WriteString("CUT TO:\n\n")
		}
	}
	return []byte(b.String()), n
}

func BenchmarkParse(b *testing.B) {
	data, _ := benchScreenplay(200 << 10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCRLF(b *testing.B) {
	data, _ := benchScreenplay(200 << 10)
	data = []byte(strings.ReplaceAll(string(data), "\n", "\r\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlocks(b *testing.B) {
	data, _ := benchScreenplay(200 << 10)
	sp, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		for _, sc := range sp.Scenes {
			_ = sc.Blocks()
		}
	}
}
