package config

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"scriptsync/formats/fountain"
	"scriptsync/library"
)

// functions returns what expressions can call: go-cty's standard library
// under Terraform's names, plus the functions that read files and the
// environment. Nothing here is non-deterministic (no timestamp, no uuid):
// two plans of the same inputs must agree.
func (ev *evaluator) functions() map[string]function.Function {
	fns := map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "chomp": stdlib.ChompFunc,
		"chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc,
		"compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc,
		"csvdecode": stdlib.CSVDecodeFunc, "distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc,
		"flatten": stdlib.FlattenFunc, "floor": stdlib.FloorFunc, "format": stdlib.FormatFunc,
		"formatdate": stdlib.FormatDateFunc, "formatlist": stdlib.FormatListFunc, "indent": stdlib.IndentFunc,
		"index": stdlib.IndexFunc, "join": stdlib.JoinFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"jsonencode": stdlib.JSONEncodeFunc, "keys": stdlib.KeysFunc, "length": lengthFunc,
		"log": stdlib.LogFunc, "lookup": stdlib.LookupFunc, "lower": stdlib.LowerFunc, "max": stdlib.MaxFunc,
		"merge": stdlib.MergeFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc,
		"range": boundedRange, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
		"replace": stdlib.ReplaceFunc, "reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setproduct": boundedSetProduct, "setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
		"signum": stdlib.SignumFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "split": stdlib.SplitFunc,
		"strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc, "timeadd": stdlib.TimeAddFunc,
		"title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
		"trimspace": stdlib.TrimSpaceFunc, "trimsuffix": stdlib.TrimSuffixFunc, "upper": stdlib.UpperFunc,
		"values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc, "strlen": stdlib.StrlenFunc,
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"try": tryFunc, "can": canFunc,

		"md5":          hashFunc(func(b []byte) []byte { s := md5.Sum(b); return s[:] }),
		"sha1":         hashFunc(func(b []byte) []byte { s := sha1.Sum(b); return s[:] }),
		"sha256":       hashFunc(func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }),
		"sha512":       hashFunc(func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }),
		"base64encode": stringFunc(func(s string) (string, error) { return base64.StdEncoding.EncodeToString([]byte(s)), nil }),
		"base64decode": stringFunc(func(s string) (string, error) {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return "", fmt.Errorf("invalid base64: %w", err)
			}
			if !utf8.Valid(b) {
				return "", fmt.Errorf("the decoded bytes are not valid UTF-8")
			}
			return string(b), nil
		}),
		"urlencode": stringFunc(func(s string) (string, error) { return url.QueryEscape(s), nil }),
		"basename":  stringFunc(func(s string) (string, error) { return path.Base(filepath.ToSlash(s)), nil }),
		"dirname":   stringFunc(func(s string) (string, error) { return path.Dir(filepath.ToSlash(s)), nil }),

		"file":       ev.fileFunc(),
		"fileexists": ev.fileExistsFunc(),
		"fileset":    ev.filesetFunc(),
		"filesha256": ev.fileSHA256Func(),
		"env":        ev.envFunc(),
		"fountain":   ev.fountainFunc(),
	}
	return fns
}

func stringFunc(f func(string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			s, err := f(args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(s), nil
		},
	})
}

func hashFunc(sum func([]byte) []byte) function.Function {
	return stringFunc(func(s string) (string, error) { return hex.EncodeToString(sum([]byte(s))), nil })
}

// pathParam is a function's path parameter. It takes a sensitive path
// (marked), so that the read can be told to keep the path out of plan
// files; the function marks its result as the path was (pathArg).
var pathParam = function.Parameter{Name: "path", Type: cty.String, AllowMarked: true}

// pathArg is a pathParam's argument, without its marks, which it returns
// too: whether the path is sensitive, and what to mark the result with.
func pathArg(v cty.Value) (string, cty.ValueMarks, bool) {
	v, marks := v.Unmark()
	_, secret := marks[sensitiveMark]
	return v.AsString(), marks, secret
}

func (ev *evaluator) fileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{pathParam},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			path, marks, secret := pathArg(args[0])
			ev.l.inputs.claim(path, "", secret)
			data, _, err := ev.l.inputs.read(path)
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			if !utf8.Valid(data) {
				return cty.UnknownVal(cty.String), fmt.Errorf("%s is not valid UTF-8 text", path)
			}
			return cty.StringVal(string(data)).WithMarks(marks), nil
		},
	})
}

func (ev *evaluator) fileSHA256Func() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{pathParam},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			// The digest is all it needs: the contents are not kept.
			path, marks, secret := pathArg(args[0])
			ev.l.inputs.claim(path, "", secret)
			f := ev.l.inputs.load(path, false)
			if f.err != nil {
				return cty.UnknownVal(cty.String), f.err
			}
			return cty.StringVal(f.hash).WithMarks(marks), nil
		},
	})
}

func (ev *evaluator) fileExistsFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{pathParam},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			path, marks, secret := pathArg(args[0])
			if secret {
				// Its errors, and the reason a plan of what changed gives
				// way, do not name it (inputs.hide).
				ev.l.inputs.mask(path)
			}
			p := ev.l.inputs.abs(path)
			st, err := os.Stat(p)
			switch {
			case err == nil && st.IsDir():
				return cty.False, fmt.Errorf("%s is a directory, not a file", path)
			case err == nil:
				ev.l.recorded.askedExists(path, true)
				return cty.True.WithMarks(marks), nil
			case os.IsNotExist(err):
				ev.l.recorded.askedExists(path, false)
				return cty.False.WithMarks(marks), nil
			default:
				return cty.False, fmt.Errorf("cannot stat %s: %v", path, err)
			}
		},
	})
}

// existsAnswer is what fileexists answers now for the file at abs.
// ok is false when fileexists would fail (a directory, a stat error).
func existsAnswer(abs string) (exists, ok bool) {
	st, err := os.Stat(abs)
	switch {
	case err == nil:
		return !st.IsDir(), !st.IsDir()
	case os.IsNotExist(err):
		return false, true
	}
	return false, false
}

// filesetFunc is Terraform's fileset(dir, pattern): the regular files under
// dir matching pattern (with ** for any depth), relative to dir.
func (ev *evaluator) filesetFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "pattern", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Set(cty.String)),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			dir, pattern := args[0].AsString(), args[1].AsString()
			if !doublestar.ValidatePattern(pattern) {
				return cty.UnknownVal(cty.Set(cty.String)), fmt.Errorf("invalid pattern %q", pattern)
			}
			matches, err := fileset(ev.l.inputs.abs(dir), pattern)
			if err != nil {
				return cty.UnknownVal(cty.Set(cty.String)), fmt.Errorf("fileset %s: %v", dir, err)
			}
			ev.l.recorded.listed(dir, pattern, matches)
			if len(matches) == 0 {
				return cty.SetValEmpty(cty.String), nil
			}
			vals := make([]cty.Value, len(matches))
			for i, m := range matches {
				vals[i] = cty.StringVal(m)
			}
			return cty.SetVal(vals), nil
		},
	})
}

// fileset lists the regular files under root matching pattern, sorted.
func fileset(root, pattern string) ([]string, error) {
	matches, err := doublestar.Glob(os.DirFS(root), pattern, doublestar.WithFilesOnly(), doublestar.WithNoFollow())
	if err != nil {
		return nil, err
	}
	sort.Strings(matches)
	out := matches[:0]
	for _, m := range matches {
		if st, err := fs.Stat(os.DirFS(root), m); err == nil && st.Mode().IsRegular() {
			out = append(out, m)
		}
	}
	return out, nil
}

func (ev *evaluator) envFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "name", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			value := ev.l.opts.Getenv(name)
			ev.l.recorded.readEnv(name, value)
			v := cty.StringVal(value)
			if credentialEnv(name) {
				ev.l.marked = true // so that what reads it looks for the mark
				v = v.Mark(sensitiveMark)
			}
			return v, nil
		},
	})
}

// fountainFunc parses a screenplay: fountain(path) is an object with title,
// author, scenes (keyed by number) and characters (keyed by name). Its
// scenes are values, not managed objects, so their address is null.
func (ev *evaluator) fountainFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{pathParam},
		Type:   function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p, marks, secret := pathArg(args[0])
			ev.l.inputs.claim(p, "", secret)
			if v, ok := ev.fountains[p]; ok {
				return v.WithMarks(marks), nil
			}
			data, _, err := ev.l.inputs.read(p)
			if err != nil {
				return cty.DynamicVal, err
			}
			sp, err := fountain.Parse(data)
			if err != nil {
				return cty.DynamicVal, fmt.Errorf("%s: %v", p, err)
			}
			s := &library.Script{}
			s.Scenes = deriveScenes(s, sp)
			s.Characters = deriveCharacters(s)
			scenes := map[string]cty.Value{}
			for _, sc := range s.Scenes {
				v := sceneValue(sc).AsValueMap()
				v["address"], v["script"] = cty.NullVal(cty.String), cty.NullVal(cty.String)
				scenes[itoa(sc.Number)] = cty.ObjectVal(v)
			}
			chars := map[string]cty.Value{}
			for _, c := range s.Characters {
				chars[c.Name] = cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(c.Name)})
			}
			v := cty.ObjectVal(map[string]cty.Value{
				"title":      cty.StringVal(sp.Title()),
				"author":     cty.StringVal(sp.Author()),
				"scenes":     cty.ObjectVal(scenes),
				"characters": cty.ObjectVal(chars),
			})
			ev.fountains[p] = v
			return v.WithMarks(marks), nil
		},
	})
}

// lengthFunc is Terraform's length: of a string, list, set, tuple, map, or
// object (so that length(series.show) counts a for_each block's instances).
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowMarked: true}},
	Type:   function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, marks := args[0].Unmark()
		ty := v.Type()
		switch {
		case v.IsNull():
			return cty.UnknownVal(cty.Number), fmt.Errorf("argument must not be null")
		case ty == cty.String:
			n, err := stdlib.Strlen(v)
			return n.WithMarks(marks), err
		case ty.IsObjectType():
			return cty.NumberIntVal(int64(len(ty.AttributeTypes()))).WithMarks(marks), nil
		case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType():
			return v.Length().WithMarks(marks), nil
		}
		return cty.UnknownVal(cty.Number), fmt.Errorf("argument must be a string, a collection or an object, not %s", ty.FriendlyName())
	},
})
