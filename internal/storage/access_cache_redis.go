package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisAccessCache keeps catalog's answers in Redis, shared by every
// storage replica. Keys under prefix:
//   - e: the epoch, raised by ForgetAll; every entry records the epoch it
//     was stored under and is stale under another;
//   - g: the generation, raised by every invalidation; Put stores only
//     when it is still the one Get saw;
//   - m:<media id>: a hash of the item's answers by caller, expiring with
//     the TTL (each value also carries its own deadline).
//
// Redis errors make a miss (Get) or skip the write (Put): downloads then
// ask catalog, as without a cache.
type redisAccessCache struct {
	client *redis.Client
	prefix string
	ttl    time.Duration
	now    func() time.Time
}

func newRedisAccessCache(ctx context.Context, rawURL, prefix string, ttl time.Duration) (*redisAccessCache, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("storage.redis_url: %w", err)
	}
	c := &redisAccessCache{client: redis.NewClient(opts), prefix: prefix, ttl: ttl, now: time.Now}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.client.Ping(pingCtx).Err(); err != nil {
		_ = c.client.Close()
		return nil, fmt.Errorf("storage.redis_url: %w", err)
	}
	return c, nil
}

type redisAnswer struct {
	cachedAnswer
	Epoch    uint64 `json:"e"`
	Deadline int64  `json:"d"` // unix milliseconds
}

func (r *redisAccessCache) Get(ctx context.Context, mediaID, caller string) (cachedAnswer, bool, uint64) {
	pipe := r.client.Pipeline()
	epoch := pipe.Get(ctx, r.prefix+"e")
	gen := pipe.Get(ctx, r.prefix+"g")
	entry := pipe.HGet(ctx, r.prefix+"m:"+mediaID, caller)
	_, err := pipe.Exec(ctx)
	if err != nil && !errors.Is(err, redis.Nil) {
		// No token to hand out: a Put with this one never stores.
		return cachedAnswer{}, false, ^uint64(0)
	}
	token := counter(gen)
	raw, err := entry.Bytes()
	if err != nil {
		return cachedAnswer{}, false, token
	}
	var a redisAnswer
	if json.Unmarshal(raw, &a) != nil || a.Epoch != counter(epoch) || r.now().UnixMilli() >= a.Deadline {
		return cachedAnswer{}, false, token
	}
	return a.cachedAnswer, true, token
}

func counter(c *redis.StringCmd) uint64 {
	n, err := strconv.ParseUint(c.Val(), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// putScript stores an answer when the generation is still ARGV[1] and the
// epoch still the one the answer carries (ARGV[5]).
var putScript = redis.NewScript(`
local g = tonumber(redis.call('GET', KEYS[1]) or '0')
local e = tonumber(redis.call('GET', KEYS[2]) or '0')
if g ~= tonumber(ARGV[1]) or e ~= tonumber(ARGV[5]) then return 0 end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return 1`)

func (r *redisAccessCache) Put(ctx context.Context, mediaID, caller string, a cachedAnswer, token uint64) {
	if token == ^uint64(0) {
		return
	}
	epoch, err := r.client.Get(ctx, r.prefix+"e").Uint64()
	if err != nil && !errors.Is(err, redis.Nil) {
		return
	}
	raw, err := json.Marshal(redisAnswer{cachedAnswer: a, Epoch: epoch, Deadline: r.now().Add(r.ttl).UnixMilli()})
	if err != nil {
		return
	}
	_ = putScript.Run(ctx, r.client, []string{r.prefix + "g", r.prefix + "e", r.prefix + "m:" + mediaID},
		token, caller, raw, r.ttl.Milliseconds(), epoch).Err()
}

func (r *redisAccessCache) ForgetMedia(ctx context.Context, mediaID string) error {
	pipe := r.client.TxPipeline()
	pipe.Incr(ctx, r.prefix+"g")
	pipe.Del(ctx, r.prefix+"m:"+mediaID)
	_, err := pipe.Exec(ctx)
	return err
}

func (r *redisAccessCache) ForgetAll(ctx context.Context) error {
	pipe := r.client.TxPipeline()
	pipe.Incr(ctx, r.prefix+"g")
	pipe.Incr(ctx, r.prefix+"e")
	_, err := pipe.Exec(ctx)
	return err
}

func (r *redisAccessCache) Close() error { return r.client.Close() }
