/** The console's style sheet, served from /static/console.css (the CSP allows no inline style). */
export const consoleCss = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1c2430;background:#f4f6f9}
header.top{display:flex;align-items:center;gap:16px;flex-wrap:wrap;background:#0b3d6e;color:#fff;padding:8px 20px}
header.top .brand{font-weight:700;font-size:18px;letter-spacing:.5px}
header.top nav{display:flex;gap:4px;flex-wrap:wrap;flex:1}
header.top nav a{color:#dce8f5;text-decoration:none;padding:6px 10px;border-radius:4px}
header.top nav a:hover,header.top nav a.active{background:#1d5a96;color:#fff}
header.top .logout{display:flex;align-items:center;gap:8px;margin:0}
header.top .who{color:#dce8f5}
main{padding:16px 24px;max-width:1400px}
h1{font-size:22px;margin:4px 0 16px}
h2{font-size:17px;margin:24px 0 8px}
h3{font-size:15px;margin:16px 0 6px}
footer{padding:12px 24px;color:#5b6675;font-size:12px;border-top:1px solid #d9dee5;margin-top:24px}
table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0 12px}
th,td{border:1px solid #d9dee5;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#e9eef4;font-weight:600}
div.scroll{overflow-x:auto}
table.stats th{font-size:12px;white-space:nowrap}
table.stats td{white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
table.matrix td,table.matrix th{text-align:center}
form.search{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;background:#fff;padding:10px 12px;border:1px solid #d9dee5;margin-bottom:12px}
form.search label{display:flex;flex-direction:column;font-size:12px;color:#3a4656}
form.search label.check{flex-direction:row;align-items:center;gap:6px;font-size:14px;padding-bottom:6px}
form.inline{display:inline;margin:0 4px 0 0}
form.bulk{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:0 0 10px;padding:8px 12px;background:#fff8e1;border:1px solid #f0d98c}
.card{background:#fff;border:1px solid #d9dee5;padding:16px;border-radius:6px}
.card.provider{margin-bottom:16px}.card.provider p{margin:4px 0 10px}
.narrow{max-width:420px;display:flex;flex-direction:column;gap:10px}
.narrow label{display:flex;flex-direction:column;gap:4px}
.emphasis{background:#fff8e1;padding:6px;border-radius:4px}
input,select{font:inherit;padding:5px 7px;border:1px solid #b8c2cf;border-radius:4px}
button,a.button{font:inherit;padding:5px 12px;border:1px solid #0b3d6e;background:#0b3d6e;color:#fff;border-radius:4px;cursor:pointer;text-decoration:none;display:inline-block}
header.top button{background:#1d5a96;border-color:#5d8fc2}
button.order-cancel{background:#fff;color:#b71c1c;border-color:#b71c1c}
button.order-hold{background:#fff;color:#8a5a00;border-color:#8a5a00}
.flash{padding:8px 12px;border-radius:4px}
.flash.info{background:#e3f2fd;border:1px solid #90caf9}
.flash.error{background:#ffebee;border:1px solid #ef9a9a}
.hint{color:#5b6675;font-size:12px;margin:0}
.empty{color:#5b6675}
.state{padding:1px 6px;border-radius:3px;background:#eceff1;white-space:nowrap}
.state-dead{background:#ffcdd2;color:#8e0000}
.state-held{background:#fff3c4;color:#6d4c00}
.state-done{background:#c8e6c9;color:#1b5e20}
.state-retry_wait{background:#ffe0b2}
.health.up{color:#1b5e20;font-weight:600}.health.down{color:#b71c1c;font-weight:600}.health.unknown{color:#5b6675}
.result-failure{color:#b71c1c}
.tiles{display:flex;gap:12px;flex-wrap:wrap}
.tile{background:#fff;border:1px solid #d9dee5;border-left:5px solid #2e7d32;padding:10px 14px;min-width:220px;color:inherit;text-decoration:none}
.tile.warn{border-left-color:#f9a825}.tile.bad{border-left-color:#c62828}
.tile .n{font-size:24px;font-weight:700;display:block}
figure.chart{background:#fff;border:1px solid #d9dee5;margin:12px 0;padding:8px 12px}
figure.chart figcaption{font-weight:600;margin-bottom:4px}
figure.chart svg.plot{width:100%;max-width:900px;height:auto;display:block}
figure.chart svg.swatch{width:10px;height:10px;vertical-align:middle}
figure.chart .axis{font-size:10px;fill:#5b6675}
figure.chart .grid{stroke:#e3e7ec}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12px;align-items:center}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;border:1px solid #d9dee5;padding:10px 14px}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;word-break:break-all}
pre{background:#fff;border:1px solid #d9dee5;padding:8px;overflow:auto;max-height:480px;white-space:pre-wrap;word-break:break-all;font-size:12px}
pre.answer{max-height:120px;margin:0;border:0;padding:0;background:none}
pre.hl7 .seg{color:#0b3d6e;font-weight:700}
code{font-size:12px;word-break:break-all}
code.secret{background:#fff8e1;padding:4px}
`;
