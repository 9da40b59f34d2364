package fountain

// joiner joins lines with "\n". While the lines sit one after another in the
// input, separated by a single "\n" (an LF file, nothing trimmed or hidden:
// the common case), the result is a substring of the input and costs no
// copy; the first line that breaks the run switches to a buffer.
type joiner struct {
	s        string // the input
	n        int    // lines added
	flat     bool   // the lines so far are s[off:end]
	off, end int
	buf      []byte
}

func (j *joiner) reset() {
	j.n = 0
	j.flat = false
	j.buf = j.buf[:0]
}

// add appends a line. sub reports that text is s[off:off+len(text)].
func (j *joiner) add(text string, off int, sub bool) {
	if j.n == 0 {
		j.n = 1
		if sub {
			j.flat, j.off, j.end = true, off, off+len(text)
			return
		}
		j.flat = false
		j.buf = append(j.buf[:0], text...)
		return
	}
	j.n++
	if j.flat {
		if sub && off == j.end+1 && j.s[j.end] == '\n' {
			j.end = off + len(text)
			return
		}
		j.buf = append(j.buf[:0], j.s[j.off:j.end]...)
		j.flat = false
	}
	j.buf = append(j.buf, '\n')
	j.buf = append(j.buf, text...)
}

func (j *joiner) String() string {
	switch {
	case j.n == 0:
		return ""
	case j.flat:
		return j.s[j.off:j.end]
	}
	return string(j.buf)
}
