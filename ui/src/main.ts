import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { useMemberLocale } from "./lib/format";

useMemberLocale(navigator.languages.length > 0 ? navigator.languages : [navigator.language]);

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
export default mount(App, { target });
