// Express 4 installed under an alias for the version matrix; its API is what the app uses of 5.
declare module "express4" {
  const express: typeof import("express");
  export default express;
}
