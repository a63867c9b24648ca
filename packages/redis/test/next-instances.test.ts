// Next.js instances (both routers) sharing Redis; see next-instances-suite.ts.
import { nextInstancesSuite } from "./next-instances-suite.js";

nextInstancesSuite("redis");
