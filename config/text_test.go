package config

import "testing"

func TestCheckText(t *testing.T) {
	if err := checkText([]byte("fine\ntext\n")); err != nil {
		t.Errorf("valid text rejected: %v", err)
	}
	if err := checkText([]byte("a\nb\x00")); err == nil || err.Error() != "line 2: binary data (a NUL byte); expected UTF-8 text" {
		t.Errorf("NUL: %v", err)
	}
	if err := checkText([]byte("a\n\nb\xff")); err == nil || err.Error() != "line 3: invalid UTF-8; expected UTF-8 text" {
		t.Errorf("invalid UTF-8: %v", err)
	}
}
