package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// redisCounter is the Counter shared by identity replicas: each key is a
// Redis integer with the window as its expiry, changed by small Lua scripts
// so that every step is atomic on the server. Sign-in limits and lockouts
// then hold across replicas (an attacker cannot spread guesses over them).
type redisCounter struct {
	client *redis.Client
	prefix string
}

// newRedisCounter connects to rawURL (redis://...) and checks it answers.
func newRedisCounter(ctx context.Context, rawURL, prefix string) (*redisCounter, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("identity.redis_url: %w", err)
	}
	c := &redisCounter{client: redis.NewClient(opts), prefix: prefix}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.client.Ping(pingCtx).Err(); err != nil {
		_ = c.client.Close()
		return nil, fmt.Errorf("identity.redis_url: %w", err)
	}
	return c, nil
}

// addScript counts one event; the first one of a window sets its expiry.
// It answers the count and the milliseconds left in the window.
var addScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`)

// releaseScript takes one event back, never below zero.
var releaseScript = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0`)

// peekScript answers the count and the milliseconds left.
var peekScript = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
return {n, redis.call('PTTL', KEYS[1])}`)

func unavailable(err error) error {
	return errs.Wrap(errs.Unavailable, err, "sign-in limits are unavailable right now (Redis)")
}

func (c *redisCounter) Add(ctx context.Context, key string, window time.Duration) (int, time.Time, error) {
	ms := max(window.Milliseconds(), 1)
	res, err := addScript.Run(ctx, c.client, []string{c.prefix + key}, ms).Int64Slice()
	if err != nil || len(res) != 2 {
		return 0, time.Time{}, unavailable(fmt.Errorf("count %s: %w", key, err))
	}
	return int(res[0]), time.Now().Add(time.Duration(res[1]) * time.Millisecond), nil
}

func (c *redisCounter) Peek(ctx context.Context, key string) (int, time.Time, error) {
	res, err := peekScript.Run(ctx, c.client, []string{c.prefix + key}).Int64Slice()
	if err != nil || len(res) != 2 {
		return 0, time.Time{}, unavailable(fmt.Errorf("peek %s: %w", key, err))
	}
	if res[0] == 0 || res[1] < 0 {
		return 0, time.Time{}, nil
	}
	return int(res[0]), time.Now().Add(time.Duration(res[1]) * time.Millisecond), nil
}

func (c *redisCounter) Release(ctx context.Context, key string) error {
	if err := releaseScript.Run(ctx, c.client, []string{c.prefix + key}).Err(); err != nil {
		return unavailable(fmt.Errorf("release %s: %w", key, err))
	}
	return nil
}

func (c *redisCounter) Reset(ctx context.Context, key string) error {
	if err := c.client.Del(ctx, c.prefix+key).Err(); err != nil {
		return unavailable(fmt.Errorf("reset %s: %w", key, err))
	}
	return nil
}

func (c *redisCounter) Close() error { return c.client.Close() }
