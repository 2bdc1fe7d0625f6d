import { Link } from "react-router";
import { useI18n } from "../i18n";

export function NotFound() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("common.notFound")}</h1>
      <p>
        <Link to="/">{t("common.backHome")}</Link>
      </p>
    </>
  );
}
