package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Log levels of SCRIPTSYNC_LOG: info logs each phase of a command with its
// duration; debug adds what each phase found; trace adds progress. Logs go
// to standard error and name phases, counts and durations only: never a
// value from the configuration, so never a secret.
const (
	logOff = iota
	logInfo
	logDebug
	logTrace
)

type logger struct {
	mu    sync.Mutex
	w     io.Writer
	level int
	now   func() time.Time
}

// newLogger reads SCRIPTSYNC_LOG; an unknown level is reported once and
// ignored.
func newLogger(w io.Writer, value string) *logger {
	l := &logger{w: w, now: time.Now}
	switch strings.ToLower(value) {
	case "":
	case "info":
		l.level = logInfo
	case "debug":
		l.level = logDebug
	case "trace":
		l.level = logTrace
	default:
		fmt.Fprintf(w, "scriptsync: SCRIPTSYNC_LOG=%q is not a level (info, debug or trace); not logging\n", value)
	}
	return l
}

var levelName = map[int]string{logInfo: "INFO", logDebug: "DEBUG", logTrace: "TRACE"}

func (l *logger) logf(level int, format string, args ...any) {
	if l == nil || level > l.level {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s [%s] %s\n", l.now().UTC().Format("2006-01-02T15:04:05.000Z"), levelName[level], fmt.Sprintf(format, args...))
}

// phase logs the start of a phase at debug and its end, with its
// duration, at info; call the returned func when it ends.
func (l *logger) phase(name string) func(result string) {
	start := time.Now()
	l.logf(logDebug, "%s: started", name)
	return func(result string) {
		msg := fmt.Sprintf("%s: done in %s", name, time.Since(start).Round(time.Millisecond))
		if result != "" {
			msg += " (" + result + ")"
		}
		l.logf(logInfo, "%s", msg)
	}
}
