package lfstest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, url, body string, header map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", MediaType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func TestServerIsACorrectLFSServer(t *testing.T) {
	s := Start(t)
	data := []byte("hello, object")
	oid := sha256Hex(data)

	// Download of a missing object: a per-object 404.
	_, out := post(t, s.Endpoint+"/objects/batch", `{"operation":"download","objects":[{"oid":"`+oid+`","size":13}]}`, nil)
	obj := out["objects"].([]any)[0].(map[string]any)
	if obj["error"].(map[string]any)["code"].(float64) != 404 {
		t.Fatalf("download batch = %v", out)
	}

	// Upload batch: an upload and a verify action with the action header.
	_, out = post(t, s.Endpoint+"/objects/batch", `{"operation":"upload","objects":[{"oid":"`+oid+`","size":13}]}`, nil)
	actions := out["objects"].([]any)[0].(map[string]any)["actions"].(map[string]any)
	up := actions["upload"].(map[string]any)
	href := up["href"].(string)
	token := up["header"].(map[string]any)["X-Lfstest-Action"].(string)
	if actions["verify"] == nil {
		t.Fatal("no verify action")
	}

	put := func(body []byte, header string) int {
		req, _ := http.NewRequest(http.MethodPut, href, bytes.NewReader(body))
		if header != "" {
			req.Header.Set("X-Lfstest-Action", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := put(data, ""); code != http.StatusForbidden {
		t.Fatalf("PUT without the action header = %d", code)
	}
	if code := put([]byte("something else!"), token); code != http.StatusUnprocessableEntity || s.Has(oid) {
		t.Fatalf("PUT of the wrong content = %d, stored %v", code, s.Has(oid))
	}
	if code := put(data, token); code != http.StatusOK || !s.Has(oid) {
		t.Fatalf("PUT = %d, stored %v", code, s.Has(oid))
	}

	// Now present: no actions.
	_, out = post(t, s.Endpoint+"/objects/batch", `{"operation":"upload","objects":[{"oid":"`+oid+`","size":13}]}`, nil)
	if a := out["objects"].([]any)[0].(map[string]any)["actions"]; a != nil {
		t.Fatalf("actions for a present object: %v", a)
	}
	st := s.Stats()
	if st.Batch != 3 || st.Upload != 3 || len(st.Objects) != 3 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestServerAuth(t *testing.T) {
	s := Start(t)
	s.RequireToken("tok")
	body := `{"operation":"upload","objects":[]}`
	resp, _ := post(t, s.Endpoint+"/objects/batch", body, nil)
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("LFS-Authenticate") == "" {
		t.Fatalf("no credentials: %s", resp.Status)
	}
	if resp, _ := post(t, s.Endpoint+"/objects/batch", body, map[string]string{"Authorization": "Bearer tok"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("bearer: %s", resp.Status)
	}
	s.RequireBasicAuth("u", "p")
	req, _ := http.NewRequest(http.MethodPost, s.Endpoint+"/objects/batch", strings.NewReader(body))
	req.Header.Set("Content-Type", MediaType)
	req.SetBasicAuth("u", "p")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("basic: %s", resp.Status)
	}
}

func TestFaultsFireTheRequestedNumberOfTimes(t *testing.T) {
	s := Start(t)
	s.Inject(BatchError500, 2)
	codes := []int{}
	for range 3 {
		resp, _ := post(t, s.Endpoint+"/objects/batch", `{"operation":"upload","objects":[]}`, nil)
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 500 || codes[1] != 500 || codes[2] != 200 {
		t.Fatalf("status codes = %v", codes)
	}
	if BatchError500.String() != "BatchError500" || VerifyFail.String() != "VerifyFail" {
		t.Fatal("fault names")
	}
}
