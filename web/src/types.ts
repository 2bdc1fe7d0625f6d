export type Kind = "book" | "document" | "podcast" | "video";
export const kinds: Kind[] = ["book", "document", "podcast", "video"];
export type MediaStatus = "draft" | "processing" | "published" | "failed" | "removed";

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
  created_at: string;
  version: number;
};
export type Page<T> = { items: T[]; next_page_token?: string };
