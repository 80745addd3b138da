import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
  clearScreen: false,
  build: {
    target: "es2022",
    // Everything is bundled: the CSP allows no remote or inline code.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  // Component tests mount Svelte's client runtime in jsdom.
  resolve: mode === "test" ? { conditions: ["browser"] } : {},
  test: {
    environment: "jsdom",
    globals: true,
    include: ["src/**/*.test.ts"],
    // app-contrast.test.ts reads app.css as text (`?raw`): Vitest leaves CSS empty unless included.
    css: { include: [/app\.css/] },
  },
}));
