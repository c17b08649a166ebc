pub mod disclosure;
