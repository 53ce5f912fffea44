// Package dtdl maps a project's vocabulary to the Digital Twins Definition
// Language (DTDL v3, "@context": "dtmi:dtdl:context;3") and back, and
// writes the Azure Digital Twins bulk import file. It imports only the
// standard library and engine. docs/interop.md is the user's guide.
//
// # Export (Models, WriteModels)
//
//   - Base interfaces dtmi:twinstudio:Space;1, Device;1, Sensor;1 and
//     User;1. Their standard fields are string Properties (pollRate an
//     integer): name, friendlyName, description, type, subType, status,
//     timeZone for spaces; name, friendlyName, description, type,
//     subType, hardwareId, gatewayId, status for devices; name,
//     hardwareId, port, pollRate, type, dataType, dataSubtype,
//     dataUnitType, portType for sensors; upn, firstName, lastName,
//     managerName for users. Relationships: Space contains Space, Space
//     hasDevice Device, Device hasSensor Sensor.
//   - The property keys of each scope are Properties of that base (keys
//     apply to subtrees, not to types). A name defined in several subtrees
//     is exported once, as its oldest key defines it; a key named like a
//     standard field is left out. The name is sanitized (Segment) when it
//     is not a DTDL name.
//   - Schemas: String, None and Json → string; Bool → boolean; Int →
//     integer; UInt → unsignedInteger; Long → long; DateTime → dateTime;
//     Enum → an Enum of its allowed values; Set → an Array of that Enum
//     (of string without allowed values). What the schema does not carry
//     (min, max, a regex, the category, None or Json, the original name)
//     goes in the Property's comment as "twinstudio:" and a JSON object,
//     which Parse reads back.
//   - One Interface per space type, device type, sensor type and sensor
//     data type that is enabled, custom or in use (None excepted), one per
//     name: dtmi:twinstudio:space:<Name>;1, …:device:…, …:sensortype:…,
//     …:datatype:…, extending its base, displayName the type's name,
//     description its description (clipped to 512 characters). DTMI
//     segments are sanitized names made unique in their category.
//   - Order: bases, then types by category and name; keys by name.
//
// # ADT import file (WriteADTImport)
//
// Header, Models (the interfaces above), Twins (spaces depth first by
// name, each space's devices and their sensors), Relationships. A twin's
// $dtId is its object id; its $model the interface of its type (a
// sensor's data type, else its sensor type), else the base.
//
// # Import (Parse, Apply)
//
// Interfaces become types and their Properties property keys, all global
// to the project. The category of an Interface is named by its DTMI when
// it is one of ours (dtmi:twinstudio:<kind>:…), else by the base it
// extends, directly or through interfaces of the file (Space → SpaceType,
// Device → DeviceType, Sensor → SensorDataType); one that extends no base
// becomes a space type, with a warning. The type's name is the
// displayName when it is letters and digits only, else the last DTMI
// segment without underscores. Primitive schemas map back as above, with
// double, float and decimal as String with a number pattern, short and
// byte as Int, date, time, duration, uuid and bytes as String; Object,
// Map and Arrays of other than strings or an Enum as Json. Schemas named
// by DTMI are looked up in the schemas of the file's interfaces.
// Relationships are ignored (the tree's are fixed), Telemetry and Commands
// skipped with a warning. Errors: a Component, a schema not supported or
// not defined, an invalid @id, @context or @type, extends outside the
// file and the bases, a property defined twice differently, a file over
// MaxFileSize or nested deeper than MaxDepth.
package dtdl
