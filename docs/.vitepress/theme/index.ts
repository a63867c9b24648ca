// The default theme without its web fonts: the site makes no request to another host.
import Theme from "vitepress/theme-without-fonts";

export default Theme;
