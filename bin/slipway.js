#!/usr/bin/env node
// The compiled CLI (npm install builds it; see the "prepare" script).
import '../dist/cli/bin.js';
