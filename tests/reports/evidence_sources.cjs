// Runs every <sources dir>/*.sql through Evidence's own DuckDB connector
// (@evidence-dev/duckdb from reports/node_modules) -- the step of `evidence sources`
// before the parquet writing that needs network -- and prints one JSON line per file:
// {"file", "rows", "columns": [[name, evidenceType]], "error"}.
// Usage: node evidence_sources.cjs <reports dir> <sources dir> <directory holding warehouse.duckdb>
const path = require('path');
const fs = require('fs');

const [reportsDir, sourcesDir, dbDir] = process.argv.slice(2);
const runQuery = require(path.join(reportsDir, 'node_modules', '@evidence-dev', 'duckdb'));

(async () => {
	for (const file of fs.readdirSync(sourcesDir).filter((f) => f.endsWith('.sql')).sort()) {
		const sql = fs.readFileSync(path.join(sourcesDir, file), 'utf-8');
		try {
			const result = await runQuery(sql, { filename: 'warehouse.duckdb', directory: dbDir }, 100000);
			let rows = 0;
			for await (const batch of result.rows()) rows += batch.length;
			const columns = (result.columnTypes || []).map((c) => [c.name, c.evidenceType]);
			console.log(JSON.stringify({ file, rows, columns }));
		} catch (e) {
			console.log(JSON.stringify({ file, error: String((e && e.message) || e) }));
		}
	}
})();
