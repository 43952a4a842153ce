import type { Config } from "tailwindcss";

// Tailwind 4 finds the class names itself; this file only carries the shop's design tokens.
export default {
  content: ["./app/**/*.{ts,tsx}"],
  theme: {
    extend: {
      colors: {
        // Deep teal: white text on brand-700 and brand-800 on white both pass WCAG AA.
        brand: {
          50: "#f0fdfa",
          100: "#ccfbf1",
          600: "#0d9488",
          700: "#0f766e",
          800: "#115e59",
          900: "#134e4a",
        },
      },
      fontFamily: {
        sans: ["system-ui", "-apple-system", '"PingFang TC"', '"Noto Sans TC"', '"Microsoft JhengHei"', "sans-serif"],
      },
    },
  },
} satisfies Config;
