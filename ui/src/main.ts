import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { theme } from "./components/theme.svelte";
import { useMemberLocale } from "./lib/format";
import { followLanguage } from "./lib/i18n.svelte";

// The system's language and locale (WebKitGTK's follow LANG), and the member's stored choice.
useMemberLocale(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);
followLanguage(document.documentElement);

theme.load();

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
export default mount(App, { target });
