package applier

import "scriptsync/providers"

// desired builds desired objects: "addr=hash" pairs.
func desired(pairs ...string) []*providers.Object {
	var out []*providers.Object
	for _, p := range pairs {
		addr, hash, _ := cut(p)
		out = append(out, &providers.Object{Address: addr, Type: "series", Hash: hash})
	}
	return out
}

func cut(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
