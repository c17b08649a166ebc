//! Macros shared by the domain's modules.

/// Declares a list of codes with `ALL`, `code`, `parse` and `label_key`.
macro_rules! code_list {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $error:literal { $($(#[$vdoc:meta])* $variant:ident => $code:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            /// Parses the code; the error is the message key to show.
            pub fn parse(s: &str) -> Result<Self, &'static str> {
                Self::ALL.iter().copied().find(|x| x.code() == s.trim()).ok_or($error)
            }

            pub fn label_key(self) -> String {
                format!("{}-{}", $prefix, self.code().replace('_', "-"))
            }
        }
    };
}
