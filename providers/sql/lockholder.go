package sql

import (
	"context"
	"fmt"
	"os"
	"time"
)

// applicationName is what scriptsync's PostgreSQL sessions call
// themselves: the process and host, so that a lock error can name them.
func applicationName() string {
	host, _ := os.Hostname()
	name := fmt.Sprintf("scriptsync pid %d on %s", os.Getpid(), host)
	if len(name) > 63 { // PostgreSQL's NAMEDATALEN - 1
		name = name[:63]
	}
	return name
}

// holderQuery finds the session that holds the advisory lock key: a
// bigint key is held as classid (high 32 bits) and objid (low 32 bits).
const holderQuery = `SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), ''), a.xact_start
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND ((l.classid::bigint << 32) | l.objid::bigint) = $1
LIMIT 1`

// lockHolder names the session holding the advisory lock, or "" when it
// cannot be told (no right to see other sessions, or it just let go).
func (d *postgresDialect) lockHolder(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	conn, err := d.connect(ctx)
	if err != nil {
		return ""
	}
	defer conn.Close(ctx)
	var (
		pid         int32
		app, client string
		since       *time.Time
	)
	if err := conn.QueryRow(ctx, holderQuery, d.key).Scan(&pid, &app, &client, &since); err != nil {
		return ""
	}
	who := app
	if who == "" {
		who = "a session without an application name"
	}
	out := fmt.Sprintf("%q (PostgreSQL backend pid %d", who, pid)
	if client != "" {
		out += " from " + client
	}
	out += ")"
	if since != nil {
		out += " since " + since.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return out
}
