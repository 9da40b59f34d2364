//go:build !unix

package config

import "os"

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

func readFileInto(path string, _ []byte) ([]byte, error) { return os.ReadFile(path) }
