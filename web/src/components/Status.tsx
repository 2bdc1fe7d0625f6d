import { ApiError } from "../api";
import { useI18n } from "../i18n";

export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" aria-live="polite">
      {t("common.loading")}
    </p>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useI18n();
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p role="alert" className="error">
      {t("common.error", { message })}
    </p>
  );
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.problem.status === 404;
}
