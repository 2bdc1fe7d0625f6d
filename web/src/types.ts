export type Kind = "book" | "document" | "podcast" | "video";
export const kinds: Kind[] = ["book", "document", "podcast", "video"];
export type MediaStatus = "draft" | "processing" | "published" | "failed" | "removed";

export type Chapter = { title: string; start?: number; end?: number; href?: string; page?: number };
export type Rendition = { width: number; height: number; bandwidth: number; codecs?: string; url?: string };
export type Derivative = { kind: string; name: string; url: string; content_type: string; size: number };
export type Media = {
  id: string;
  title: string;
  description: string;
  kind: Kind;
  language: string;
  author_ids: string[];
  category_ids: string[];
  tags: string[];
  license: string;
  published_at?: string | null;
  status: MediaStatus;
  status_reason?: string;
  content?: {
    size: number;
    sha256: string;
    content_type: string;
    duration_seconds?: number;
    pages?: number;
    width?: number;
    height?: number;
    url?: string;
  };
  derivatives?: Derivative[];
  /** Chapters of the file: timed (audio, video), EPUB entries (href) or PDF outline (page). */
  chapters?: Chapter[];
  /** Video: adaptive streaming (HLS), once processed. */
  streaming?: { hls_url: string; renditions?: Rendition[] };
  created_at: string;
  updated_at: string;
  version: number;
};
export type Member = { user_id: string; role: "owner" | "member"; added_at: string };
export type Author = {
  id: string;
  name: string;
  bio: string;
  links: { title: string; url: string }[];
  avatar: string;
  status: "active" | "removed";
  members?: Member[];
  version: number;
};
export type Category = { id: string; name: string; slug: string; description: string; parent_id?: string | null; status: string };
export type User = {
  id: string;
  email: string;
  display_name: string;
  roles: string[];
  suspended: boolean;
  email_verified?: boolean;
  created_at: string;
  version: number;
};
export type Page<T> = { items: T[]; next_page_token?: string };

// --- search (issue 10) ---
/** A passage inside an item's text: its page (PDF), chapter (EPUB) or
 * position. Highlight strings are plain text in which only `<mark>` and
 * `</mark>` are markup (src/components/Highlight.tsx). */
export type Passage = { snippet: string; page?: number | null; chapter?: string | number | null; position?: number | string | null };
export type SearchHit = {
  media: Media;
  score?: number;
  highlights?: { title?: string; description?: string; content?: Passage[] };
};
export const facetNames = ["kind", "language", "category", "author", "tag", "license"] as const;
export type FacetName = (typeof facetNames)[number];
/** A facet is a value → count map (an array of {value, count} is accepted too). */
export type FacetCounts = Record<string, number> | { value: string; count: number }[];
export type SearchResult = {
  items: SearchHit[];
  facets?: Partial<Record<FacetName, FacetCounts>>;
  total?: number;
  next_page_token?: string;
};
export type Suggestion = { type?: string; kind?: string; id?: string; text?: string; title?: string; name?: string; label?: string };

// --- engagement (issue 11) ---
export type FollowType = "author" | "category" | "tag";
export type Follow = { type?: FollowType; target_type?: FollowType; id?: string; target_id?: string; created_at?: string };
export type MediaStats = { views: number; unique_viewers: number; likes: number; completions: number; liked_by_me?: boolean };
export type AuthorStats = { followers: number; views: number; likes: number };
export type Progress = {
  media_id: string;
  seconds?: number;
  page?: number;
  pages?: number;
  cfi?: string;
  percent?: number;
  device?: string;
  client_time?: string;
  updated_at?: string;
  media?: Media;
};
export type Collection = {
  id: string;
  name: string;
  description?: string;
  visibility?: "public" | "private";
  public?: boolean;
  kind?: string;
  saved?: boolean;
  owner_id?: string;
  item_count?: number;
  version?: number;
};
export type CollectionItem = { media_id: string; position?: number; added_at?: string; media?: Media };
export type Report = {
  id: string;
  target_type: "media" | "author" | "user";
  target_id: string;
  reason: string;
  note?: string;
  state?: string;
  reporter_id?: string;
  created_at?: string;
};
