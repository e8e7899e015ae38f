// Opens journeyc reports in Debian's Chromium (playwright-core drives /usr/bin/chromium over the
// DevTools protocol; no browser is downloaded) and checks what only a browser knows: where text
// lands. For each report and window width it prints one JSON line:
//   {"file", "width", "texts", "overlaps": [...], "cut": [...], "pageWidth", "viewport"}
// `overlaps`: pairs of text boxes of one drawing (map, its headers, flow) that overlap;
// `cut`: card labels ending with "…" whose full text is not in their card's tooltip.
// With --shots DIR it also writes DIR/NAME-WIDTH-map.png and -flow.png (element screenshots).
// Usage: node check.mjs [--shots DIR] REPORT.html... (widths 1366 and 1920).
import { chromium } from 'playwright-core';
import { basename } from 'node:path';

const args = process.argv.slice(2);
let shots = null;
if (args[0] === '--shots') { shots = args[1]; args.splice(0, 2); }
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const file of args) {
    for (const width of [1366, 1920]) {
      const page = await browser.newPage({ viewport: { width, height: 1300 } });
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto('file://' + file);
      // Open every folded stage map: its text must not overlap either.
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      const result = await page.evaluate(() => {
        const shrink = 1.5; // anti-aliasing and glyph overhang
        const drawings = document.querySelectorAll('svg.map, svg.map-stages, svg.map-lanes, svg.flow-chart');
        const overlaps = [];
        const cut = [];
        let texts = 0;
        for (const svg of drawings) {
          const boxes = [];
          for (const t of svg.querySelectorAll('text')) {
            const r = t.getBoundingClientRect();
            if (r.width === 0 || r.height === 0) continue;
            boxes.push({ text: t.textContent, x0: r.left + shrink, y0: r.top + shrink,
              x1: r.right - shrink, y1: r.bottom - shrink });
            if (t.classList.contains('card-label') && t.textContent.endsWith('…')) {
              const g = t.closest('g');
              const title = g && g.querySelector(':scope > title');
              const shown = t.textContent.slice(0, -1).trim();
              if (!title || !title.textContent.includes(shown)) cut.push(t.textContent);
            }
          }
          texts += boxes.length;
          // Sweep by x: only boxes whose x ranges meet are compared.
          boxes.sort((a, b) => a.x0 - b.x0);
          for (let i = 0; i < boxes.length; i++) {
            for (let k = i + 1; k < boxes.length && boxes[k].x0 < boxes[i].x1; k++) {
              const a = boxes[i], b = boxes[k];
              if (a.y0 < b.y1 && b.y0 < a.y1) {
                overlaps.push(`${svg.getAttribute('class')}: "${a.text}" × "${b.text}"`);
              }
            }
          }
        }
        return { texts, overlaps, cut, pageWidth: document.documentElement.scrollWidth,
          viewport: window.innerWidth };
      });
      if (shots) {
        const name = basename(file).replace(/\.html$/, '');
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = false; }));
        await page.locator('#map .map-box').first().screenshot({ path: `${shots}/${name}-${width}-map.png` });
        await page.locator('#flow .chart-scroll.wide').first().screenshot({ path: `${shots}/${name}-${width}-flow.png` });
      }
      console.log(JSON.stringify({ file: basename(file), width, errors, ...result }));
      await page.close();
    }
  }
} finally {
  await browser.close();
}
